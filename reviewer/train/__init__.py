"""Fine-tuning: training examples, the LoRA training loop, GGUF export.

torch, transformers and peft (the `train` extra) are imported inside the
functions that need them, never at module import."""
