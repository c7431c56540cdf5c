"""The interaction model: intent specs and names, and the generator that writes the JSON files."""
