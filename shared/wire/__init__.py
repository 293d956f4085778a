"""Wire types: declared once, built by the agent, validated by the control plane."""
