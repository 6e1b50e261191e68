"""One rank of distributed data-parallel training; started by torchrun, never by hand.

    torchrun --nproc-per-node 2 -m application.training.ddp_worker --epochs 15 --result out.json

Each rank trains on its own shard of the data (DistributedSampler); after every
backward pass DDP averages the gradients across ranks, so all ranks hold the
same model. Losses are all-reduced so rank 0 reports the global numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32, help="per rank")
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-size", type=float, default=0.15)
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--result", required=True, help="rank 0 writes the final metrics here (JSON)")
    args = parser.parse_args()

    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils.data.distributed import DistributedSampler

    from domain.data.pipelines.splitting import train_val_test_split
    from domain.data.sources.digits_source import load_digits_dataset
    from domain.models.deep_learning.pytorch.digits_mlp import (
        ArrayDataset,
        MLPConfig,
        build_mlp,
        evaluate,
        make_loader,
        seed_everything,
        train_epoch,
    )
    from shared import events
    from shared.utils.atomic_files import write_json_atomic

    rank, world, local_rank = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    # NCCL needs one GPU per rank: two ranks on one GPU fail ("Duplicate GPU detected"), so fewer GPUs than ranks
    # means gloo on the CPU (still data-parallel; the lesson says which backend ran).
    use_cuda = torch.cuda.is_available() and torch.cuda.device_count() >= world
    backend = "nccl" if use_cuda else "gloo"
    dist.init_process_group(backend)
    device = torch.device(f"cuda:{local_rank}") if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)

    def say(text: str) -> None:
        sys.stdout.write(f"[rank {rank}] {text}\n")  # one write per line: ranks share the pipe
        sys.stdout.flush()

    say(f"joined the group: world size {world}, backend {backend}, device {device}")
    if torch.cuda.is_available() and not use_cuda:
        say(f"{torch.cuda.device_count()} GPU(s) for {world} ranks: NCCL needs one GPU per rank, so gloo on the CPU")

    seed_everything(args.seed)
    train_set, val_set, test_set = train_val_test_split(load_digits_dataset(), args.val_size, args.test_size, args.seed)
    train_data = ArrayDataset(train_set.features, train_set.labels)
    sampler: DistributedSampler[int] = DistributedSampler(train_data, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    train_loader = make_loader(train_data, args.batch_size, False, args.seed, sampler=sampler)
    val_loader = make_loader(ArrayDataset(val_set.features, val_set.labels), 256, False, args.seed)
    test_loader = make_loader(ArrayDataset(test_set.features, test_set.labels), 256, False, args.seed)
    say(f"my shard: {len(sampler)} of {len(train_data)} training images")

    config = MLPConfig(n_features=train_set.features.shape[1], hidden=args.hidden, n_classes=len(train_set.class_names))
    model = DistributedDataParallel(build_mlp(config).to(device), device_ids=[local_rank] if use_cuda else None)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)

    batches = len(train_loader)
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a different shuffle per epoch, the same on every rank
        report = (
            (lambda b, _l, epoch=epoch: events.progress((epoch - 1) * batches + b, args.epochs * batches, "batches"))
            if rank == 0
            else None
        )
        loss_sum, seen = train_epoch(model, train_loader, optimizer, device, on_batch=report)
        totals = torch.tensor([loss_sum, float(seen)], device=device)
        dist.all_reduce(totals)  # sum over ranks: the global training loss
        say(f"epoch {epoch:2d}: local train_loss {loss_sum / seen:.4f} on {seen} images")
        if rank == 0:
            val_loss, val_correct, val_seen = evaluate(model.module, val_loader, device)
            events.metric("train_loss", float(totals[0] / totals[1]), step=epoch)
            events.metric("val_loss", val_loss / val_seen, step=epoch)
            events.metric("val_accuracy", val_correct / val_seen, step=epoch)
    seconds = time.perf_counter() - started

    if rank == 0:
        _, correct, seen = evaluate(model.module, test_loader, device)
        events.metric("ddp_test_accuracy", correct / seen)
        write_json_atomic(
            Path(args.result),
            {
                "test_accuracy": correct / seen,
                "world_size": world,
                "backend": backend,
                "device": str(device),
                "train_seconds": seconds,
                "epochs": args.epochs,
            },
        )
        say(f"test accuracy {correct / seen:.4f} after {args.epochs} epochs in {seconds:.1f} s")
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
