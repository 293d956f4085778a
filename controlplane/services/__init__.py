"""Business rules of the control plane. Nothing here sees an aiohttp request."""
