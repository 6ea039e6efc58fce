"""`reviewer eval`: structural tier, base model and base+adapter measured on
labelled units, against what a random commenter would score."""
