"""The answering layer: prompts, composers, citation verification and claim checks."""
