"""The service catalog: what can be sold, and the templates that describe how it runs."""
