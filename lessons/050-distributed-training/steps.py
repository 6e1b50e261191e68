"""The distributed-training lesson's steps: torchrun + DDP, the distributed training use case, run as they are (``application/training/distributed_training.py``).

Each step of lesson.toml names a function here; the use case reports its own
progress and metrics through ``shared/events``.
"""

from application.training.distributed_training import train_ddp

__all__ = ["train_ddp"]
