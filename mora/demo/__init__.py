"""Demo data for a Tarija-like utility (`manage.py seed_demo`). The payment behaviour follows a
documented hidden model (docs/datos-demo.md) so that analytics can be checked against it."""
