"""Internal helpers shared by the areas: validation at the public edge and opt-in tracing."""
