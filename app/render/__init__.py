"""What printed documents are made of, shared by the tickets (`devices`) and the A4 printables
of the country packages (`fiscal/<cc>`, which also hold the readers of their signed XML): safe
XML parsing, fonts, barcodes. Imports only `core` and `resources`, so both sides may import it."""
