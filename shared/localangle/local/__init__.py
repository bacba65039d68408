"""Running the flow on one machine: moto for AWS, local HTTP servers, and a driver for the queues."""
