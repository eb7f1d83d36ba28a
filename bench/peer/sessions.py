"""The model of scenarios/bench-100k.json written as a SimPy 2 model, the peer lbsim is measured
against (`npm run bench -- --peer`). SimPy 2.3, the version Debian ships (python3-simpy).

Sessions of a sticky site: each visit is a SimPy process that keeps the server chosen, round
robin, when it began; a server is a Resource of one unit with its FIFO queue. A visit sends a
request, waits its turn, holds the server for an exponential service time, releases it, and
after each response ends with probability 1 / requests-per-visit (a geometric count, 1, 2, 3 ...)
or thinks an exponential time before the next. New visits arrive as a Poisson process. At time 0
the site is in steady state: by Little's law visits-per-second x visit length sessions are in
progress, each thinking (an exponential think time is memoryless, so the rest of a think time is
a fresh one, and so is the rest of a visit's geometric count).

Left out, where lbsim models them: NAT, address changes, cookies, sessions and their losses, and
every metric but the count of requests answered.

Prints one JSON line: requests answered, CPU seconds of this process (time.process_time) from
building the model to the end (setup: up to the start of simulate, the sessions at time 0 in
place), the sessions at time 0, SimPy's version and the model's parameters (named as lbsim's
bench/peer.ts names them).
"""
import argparse
import itertools
import json
import random
import time

import SimPy
from SimPy.Simulation import Process, Resource, activate, hold, initialize, release, request, simulate


class Site:
    """The servers, the random stream and the count of answered requests."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.servers = itertools.cycle([Resource(capacity=1, name=f"s{i + 1}") for i in range(args.servers)])
        self.answered = 0

    def think(self):
        return self.rng.expovariate(1 / self.args.think)

    def service(self):
        return self.rng.expovariate(1 / self.args.service)

    def visit_ends(self):
        return self.rng.random() < 1 / self.args.requests_per_visit

    def start_visit(self, delay=0):
        visit = Visit()
        activate(visit, visit.run(self, next(self.servers)), delay=delay)


class Visit(Process):
    def run(self, site, server):
        while True:
            yield request, self, server
            yield hold, self, site.service()
            yield release, self, server
            site.answered += 1
            if site.visit_ends():
                return
            yield hold, self, site.think()


class Arrivals(Process):
    def run(self, site):
        while True:
            yield hold, self, site.rng.expovariate(site.args.visits_per_second)
            site.start_visit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Defaults: scenarios/bench-100k.json (the bench passes that file's values explicitly).
    parser.add_argument("--duration", type=float, default=300, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--servers", type=int, default=20)
    parser.add_argument("--service", type=float, default=0.0014, help="mean service time, seconds")
    parser.add_argument("--think", type=float, default=10, help="mean think time, seconds")
    parser.add_argument("--requests-per-visit", type=float, default=60, help="mean of the geometric count")
    parser.add_argument("--visits-per-second", type=float, default=166.7)
    args = parser.parse_args()

    started = time.process_time()
    initialize()
    site = Site(args)
    # Little's law: visits in progress = arrival rate x visit length (a think time between two
    # requests, the service at each; the queue adds milliseconds to a visit of minutes).
    visit_length = (args.requests_per_visit - 1) * args.think + args.requests_per_visit * args.service
    in_progress = round(args.visits_per_second * visit_length)
    for _ in range(in_progress):
        site.start_visit(delay=site.think())
    arrivals = Arrivals()
    activate(arrivals, arrivals.run(site))
    setup = time.process_time() - started
    simulate(until=args.duration)
    used = time.process_time() - started
    model = {
        "duration": args.duration,
        "seed": args.seed,
        "servers": args.servers,
        "service": args.service,
        "think": args.think,
        "requestsPerVisit": args.requests_per_visit,
        "visitsPerSecond": args.visits_per_second,
    }
    report = {"requests": site.answered, "cpuSeconds": used, "setupCpuSeconds": setup, "sessionsAtStart": in_progress, "simpy": SimPy.__version__, "model": model}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
