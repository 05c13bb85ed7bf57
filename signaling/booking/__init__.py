"""Appointments: capacity set aside for booked meetings, slots, codes, and the check-in desk.

Sans-I/O like the routing core: plain functions and classes that take times and records and
return decisions; the hub and the web layer read the store and the clock and carry them out.
See :mod:`signaling.booking.capacity` (when clerks are set aside), :mod:`signaling.booking.slots`
(which slots are free), :mod:`signaling.booking.codes` (codes and their digests) and
:mod:`signaling.booking.desk` (check-in windows, release to the queue, no-shows).
"""
