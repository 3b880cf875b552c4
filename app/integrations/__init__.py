"""Work beyond the authority: e-mail to the buyer, the mall report, outbound webhooks.
Generic code: it reaches a country only through app.fiscal.registry. The shared outbox of
this package is `app.integrations.jobs`."""
