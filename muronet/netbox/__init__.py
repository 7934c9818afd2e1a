"""NetBox as the live source of truth: a local NetBox (``service``), the connection to any NetBox
(``connection``), the inventory as NetBox objects (``desired``), and the idempotent sync (``sync``)."""
