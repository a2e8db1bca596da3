"""Workspace awareness: entry points from deployment files, helpers across modules."""
