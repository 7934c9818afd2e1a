"""The digital twin of the city network: FRR routers in network namespaces, built from the inventory."""
