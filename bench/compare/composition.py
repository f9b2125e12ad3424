"""The paper's autoencoder (N=256) and AE-NN (N=100) train steps in PyTorch, one thread,
beside knit's medians from bench_composition (see common.py for the commands).

    /usr/bin/python3 bench/compare/composition.py knit_composition.json
"""
import sys

import torch
from torch import nn

from common import knit_medians, median_ns, print_table


def autoencoder_step(n):
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Linear(21, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3), nn.ReLU(),
        nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 21), nn.Tanh())
    x = torch.rand(n, 21)
    opt = torch.optim.Adam(model.parameters())
    loss = nn.MSELoss()

    def step():
        opt.zero_grad()
        out = loss(model(x), x)
        out.backward()
        opt.step()
    return step


class AeNn(nn.Module):
    def __init__(self):
        super().__init__()

        def branch():
            layers, width = [], 3
            for units in (256, 128, 64, 32, 32):
                layers += [nn.Linear(width, units), nn.ReLU()]
                width = units
            return nn.Sequential(*layers)
        self.left, self.right = branch(), branch()
        self.head = nn.Sequential(nn.Linear(64, 200), nn.ReLU(), nn.Linear(200, 20), nn.ReLU(),
                                  nn.Linear(20, 1), nn.Sigmoid())

    def forward(self, x):
        return self.head(torch.cat([self.left(x[:, :3]), self.right(x[:, 3:])], dim=1))


def ae_nn_step(n):
    torch.manual_seed(1)
    model = AeNn()
    assert sum(p.numel() for p in model.parameters()) == 107665
    x = torch.rand(n, 6)
    y = (torch.rand(n, 1) > 0.5).float()
    opt = torch.optim.Adam(model.parameters())
    loss = nn.BCELoss()

    def step():
        opt.zero_grad()
        out = loss(model(x), y)
        out.backward()
        opt.step()
    return step


def main():
    knit = knit_medians(sys.argv[1] if len(sys.argv) > 1 else None)
    rows = [
        ("autoencoder train step N=256", knit.get("BM_autoencoder_train_step/256"), median_ns(autoencoder_step(256))),
        ("AE-NN train step N=100", knit.get("BM_ae_nn_train_step/100"), median_ns(ae_nn_step(100))),
    ]
    print_table(rows)
    # The matrix products alone (BM_*_gemm_floor): no BLAS-based step can beat them, so
    # torch / floor bounds the ratio such a design can reach.
    for name, floor_key, torch_ns in (("autoencoder", "BM_autoencoder_gemm_floor/256", rows[0][2]),
                                      ("AE-NN", "BM_ae_nn_gemm_floor/100", rows[1][2])):
        floor = knit.get(floor_key)
        if floor:
            print(f"{name} GEMM floor: {floor / 1e3:.1f} us (torch / floor {torch_ns / floor:.2f}x)")


if __name__ == "__main__":
    main()
