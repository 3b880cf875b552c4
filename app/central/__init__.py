"""Several registers, several shops: each register keeps its own SQLite, numbering and authority
transmission; after each commit its background worker pushes what it committed to a central
PostgreSQL store (through `mostrador central serve`, over pinned TLS) and pulls the central
catalogue, prices, customers, users and settings. Names no country.

  store.py    the PostgreSQL schema, ingest (idempotent by register and local id), pulls, views
  tls.py      the self-signed certificate of the central server, and the pinned client
  server.py   the HTTPS service registers talk to (`central serve`)
  replica.py  the register side: cursors, push and pull passes (hooked into the sync worker)
  mall.py     the mall report over every register's documents (app.integrations.mall delivery)
  reads.py    the read side over every register of a company (app/api/central.py serves it)
  api_keys.py the central API's keys, one company each
  taxes.py    the backfill of per-rate tax rows from the stored signed XML
  admin.py    what the `central` CLI commands do
"""
