"""`reviewer eval`: the structural tier and scoring heads measured on
labelled units, against what a random commenter would score."""
