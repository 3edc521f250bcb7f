-- wrk script: POST /v1/GetPSK with a fixed identity (env UKMS_KEYID) and AuthToken (UKMS_TOKEN).
-- Non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
wrk.method = "POST"
wrk.path = "/v1/GetPSK"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("UKMS_TOKEN")
wrk.body = '{"KeyID":"' .. os.getenv("UKMS_KEYID") .. '","KeyLength":"128"}'
