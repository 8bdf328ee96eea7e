"""Members: the cluster group, registration, the directory, handover, capacity."""
