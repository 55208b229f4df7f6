"""Style recommendations, without Qt or torch: a vector per style from what it does to a fixed set of
frames (`embedding`), rankings by closeness to a style or to any picture (`ranking`), and the local,
private usage log the gallery's "For you" reads (`usage`).
"""
