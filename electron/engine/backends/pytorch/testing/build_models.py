"""Builds the TorchScript models the PyTorch backend tests run (torch.jit.script, saved as
<out>/<name>.pt). Run at test time with the interpreter under test: `python3 build_models.py <out>`."""

import sys
from typing import Dict, List, Tuple

import torch


class Pair(torch.nn.Module):
    """forward(x, y) -> (x + y, x - y): naming by argument names, by `__<index>`, or by config order."""

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return x + y, x - y


class Types(torch.nn.Module):
    """bool, fp16 and int64 through and back."""

    def forward(self, flags: torch.Tensor, half: torch.Tensor, count: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return torch.logical_not(flags), half * 2, count + 1


class Strings(torch.nn.Module):
    """TYPE_STRING is a List[str] in, a List[str] out."""

    def forward(self, words: List[str]) -> List[str]:
        return [w.upper() + "!" for w in words]


class Keyed(torch.nn.Module):
    """A single Dict[str, Tensor] input: config inputs are the keys."""

    def forward(self, inputs: Dict[str, torch.Tensor]) -> torch.Tensor:
        return inputs["A"] * 10 + inputs["B"]


class Batched(torch.nn.Module):
    """Doubles x, and says how many rows the forward() call saw (the batch the instance ran)."""

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        rows = torch.full([x.shape[0], 1], x.shape[0], dtype=torch.int64)
        return x * 2, rows


class Tensors(torch.nn.Module):
    """Returns a List[Tensor], which Triton refuses."""

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        return [x, x]


class Failing(torch.nn.Module):
    """Raises inside TorchScript for a negative first element."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if bool(x.reshape(-1)[0] < 0):
            raise RuntimeError("negative input")
        return x


class Sequence(torch.nn.Module):
    """A sequence step: the value, and the START control the sequence batcher adds as input 1."""

    def forward(self, value: torch.Tensor, start: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return value * 1, start * 1


class Training(torch.nn.Module):
    """Saved in training mode on purpose (dropout active), as a model saved without eval() is."""

    def __init__(self):
        super().__init__()
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(x)


class FirstRow(torch.nn.Module):
    """Keeps only the first row: its output does not have the batch's rows."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:1]


MODELS = {"pair": Pair, "types": Types, "strings": Strings, "keyed": Keyed, "batched": Batched, "tensors": Tensors, "failing": Failing, "sequence": Sequence, "training": Training, "first_row": FirstRow}

if __name__ == "__main__":
    out = sys.argv[1]
    for name, cls in MODELS.items():
        module = cls() if name == "training" else cls().eval()
        torch.jit.script(module).save("%s/%s.pt" % (out, name))
    print("built", len(MODELS))
