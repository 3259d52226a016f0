"""Several portal hosts behind a real load balancer, on one Redis."""
