"""The local REST API (issue #10): the seed services' dialects (mounted from each country's
`api` facet) over the same `pos` use cases as the till. See docs/api.md."""
