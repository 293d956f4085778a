"""Teams: shared ownership, members with roles, invitations."""
