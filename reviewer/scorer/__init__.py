"""Score, then explain: the model tier's design.

One forward pass of the frozen model over a unit's code gives every token's
hidden state and logits (forward.py); per changed line they become a feature
vector (features.py, with tree-sitter facts from facts.py); a small trained
head turns it into a calibrated probability (head.py, fitted by fit.py); a
unit is flagged when its best line passes the shipped threshold, and only
then does the model write one sentence about that line (tier.py)."""
