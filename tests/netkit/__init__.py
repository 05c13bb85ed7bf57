"""Network test kit: namespaces, a real coturn, link impairments and a UDP delay relay.

Everything here creates its own network namespaces and addresses (10.77.0.0/16 exists only
inside them) and removes them again, also on failure; no test traffic leaves the machine.

* :mod:`tests.netkit.netns`: namespaces, veth links, ``run_in``, the kiosk-behind-NAT topology.
* :mod:`tests.netkit.coturn`: a real Debian ``turnserver`` with ``use-auth-secret``.
* :mod:`tests.netkit.udp_delay`: an asyncio user-space UDP relay that adds delay (the kernel
  here has no netem).
* :mod:`tests.netkit.impair`: random loss (nftables ``numgen``), bandwidth (tbf), cuts.
* :mod:`tests.netkit.turn_probe`: a tiny TURN Allocate client (is a credential accepted?).
* :mod:`tests.netkit.procs`: child processes that print JSON lines (headless kiosk/agent).
* :mod:`tests.netkit.stack`: the whole system (coturn, server, agent, kiosk) on the topology.
"""
