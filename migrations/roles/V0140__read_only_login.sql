-- The read-only login of analysts and BI tools is the API's role, warehouse_api (V0100): besides the marts it reads the
-- documented core views (core.events, core.sessionized_events, core.sessions; each repeatable grants its own view when
-- it re-creates it), never the fct_/int_ tables behind them nor staging. `./warehouse db url --read-only` prints its URL.

grant usage on schema core to warehouse_api;
