"""A simulated working day through the real sans-I/O router (see ``bench/sim_day.py``).

* :mod:`bench.sim.profile`: the day to simulate (arrivals, handle times, patience, clerks),
  from a documented default or fitted to the call records of a data directory;
* :mod:`bench.sim.world`: the discrete-event driver that feeds the router and reacts to its
  actions the way kiosks and clerks would, recording every event and action;
* :mod:`bench.sim.figures`: service level, speed of answer, abandonment, occupancy and the
  accuracy of every wait estimate shown, from that record.
"""
