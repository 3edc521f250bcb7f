/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Operator console on the controlling terminal (docs/console.md): readline in callback mode
 * driven by the loop, a second AT channel into the same modem, and ':' commands from one table.
 *
 * readline keeps its state in process globals, so only one console can exist at a time; the
 * console pointer the readline callbacks need is the one static in console.c.
 */
#ifndef SIM_CONSOLE_H
#define SIM_CONSOLE_H

struct console;
struct loop;
struct modem;
struct modem_fleet;

/*
 * Starts the console on stdin/stdout, talking to m, or with a fleet (NULL: none) to its modem 0
 * and switching with ":modem I". Returns NULL (and logs) on failure or if one exists.
 */
struct console *console_create(struct modem *m, struct modem_fleet *fleet, struct loop *loop);
/* Restores the terminal, saves the history. NULL-safe. */
void console_destroy(struct console *c);

#endif /* SIM_CONSOLE_H */
