"""The MinisPod node agent: collects facts about its node and reports them to the control plane."""
