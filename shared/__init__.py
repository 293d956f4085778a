"""The one vocabulary shared by the agent and the control plane: wire types, enums, units."""
