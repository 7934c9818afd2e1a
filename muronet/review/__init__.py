"""Security review of configuration changes: what a change does to the devices, classed and rated."""
