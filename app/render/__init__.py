"""What printed documents are made of, shared by the tickets (`devices`) and the A4 RIDE/KuDE
(`fiscal/<cc>`): readers of the stored signed XML into printable models, fonts, barcodes.
Imports only `core` and `resources`, so both sides may import it."""
