"""VP8 frame assembly from RTP packets: loss, retransmission, giving up, keyframes (no network)."""

from __future__ import annotations

from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.rtp import RtpPacket

from client_core.video_assembly import AssemblerConfig, VideoAssembler, vp8_frame_start

TS_STEP = 3000  # 30 fps at 90 kHz


def vp8_packets(frame_no: int, parts: int, first_seq: int, *, key: bool) -> list[RtpPacket]:
    """One VP8 frame as ``parts`` packets (payload descriptor, P bit in the first byte)."""
    out = []
    for i in range(parts):
        descriptor = VpxPayloadDescriptor(partition_start=int(i == 0), partition_id=0,
                                          picture_id=frame_no % 128)
        body = bytes([0x00 if key else 0x01]) if i == 0 else b"\x99"
        packet = RtpPacket(payload_type=97, sequence_number=(first_seq + i) & 0xFFFF,
                           timestamp=(frame_no * TS_STEP) & 0xFFFFFFFF, ssrc=1234)
        packet.payload = bytes(descriptor) + body + bytes([frame_no % 256, i])
        packet.marker = int(i == parts - 1)
        packet._data = body + bytes([frame_no % 256, i])  # what aiortc's depayload leaves
        out.append(packet)
    return out


def stream(frames: int, parts: int = 3, first_seq: int = 65530) -> list[RtpPacket]:
    """``frames`` frames, the first a keyframe, sequence numbers wrapping past 65535."""
    packets: list[RtpPacket] = []
    for n in range(frames):
        packets += vp8_packets(n, parts, first_seq + len(packets), key=n == 0)
    return packets


def test_frames_leave_as_soon_as_their_last_packet_is_in() -> None:
    asm = VideoAssembler()
    packets = stream(4)
    released = []
    for i, packet in enumerate(packets):
        out = asm.add(packet, now=i * 0.01)
        released += out.frames
        if packet.marker:  # not one frame later, as aiortc does
            assert out.frames and out.frames[-1].timestamp == packet.timestamp
    assert [f.timestamp for f in released] == [0, 3000, 6000, 9000]
    assert released[0].keyframe and not released[1].keyframe
    assert released[1].data.startswith(b"\x01")  # the parts, in order, descriptor stripped
    assert asm.counters.nacks_sent == 0


def test_a_gap_is_nacked_at_once_and_again_after_a_round_trip_then_filled() -> None:
    asm = VideoAssembler(AssemblerConfig(initial_rtt_s=0.1))
    packets = stream(3)
    lost = packets[4]  # the middle of frame 1
    frames = []
    for packet in packets[:4]:
        frames += asm.add(packet, 0.0).frames
    out = asm.add(packets[5], 0.01)
    assert out.nack == [lost.sequence_number] and not out.frames
    assert asm.poll(0.1).nack == []  # not yet: 1.5 RTT
    assert asm.poll(0.2).nack == [lost.sequence_number]  # the retransmission was lost too
    for packet in packets[6:]:
        assert not asm.add(packet, 0.21).frames  # held behind the hole, in order
    refilled = asm.add(lost, 0.33)
    assert [f.timestamp for f in refilled.frames] == [3000, 6000]  # every frame it completed
    # Only the frame the retransmission belonged to is marked (for the playout delay).
    assert [f.retransmitted for f in refilled.frames] == [True, False]
    assert not any(f.retransmitted for f in frames)
    assert asm.counters.retransmissions == 1
    # The second NACK was answered: the RTT estimate is left alone (ambiguous sample).
    assert abs(asm.rtt_s - 0.1) < 1e-9


def test_rtt_is_learnt_from_an_unambiguous_retransmission() -> None:
    asm = VideoAssembler(AssemblerConfig(initial_rtt_s=0.1))
    packets = stream(2)
    asm.add(packets[0], 0.0)
    asm.add(packets[2], 0.0)
    asm.add(packets[1], 0.3)
    assert abs(asm.rtt_s - (0.8 * 0.1 + 0.2 * 0.3)) < 1e-9


def test_a_hole_given_up_asks_for_a_keyframe_and_drops_inter_frames_until_it_comes() -> None:
    asm = VideoAssembler(AssemblerConfig(initial_rtt_s=0.1, min_give_up_s=0.35))
    first = stream(4)
    for packet in first[:3] + first[4:]:  # frame 1 lost its first packet for good
        asm.add(packet, 0.0)
    assert not asm.poll(0.3).pli
    out = asm.poll(0.4)
    assert out.pli and asm.counters.holes_given_up == 1
    assert not asm.poll(0.5).pli  # at most one keyframe request per 0.4 s
    # Inter frames that follow are of no use without the reference they need.
    later = vp8_packets(4, 3, first[-1].sequence_number + 1, key=False)
    assert not any(asm.add(p, 0.6).frames for p in later)
    key = vp8_packets(5, 3, later[-1].sequence_number + 1, key=True)
    frames = [f for p in key for f in asm.add(p, 0.7).frames]
    assert [f.keyframe for f in frames] == [True]
    assert frames[0].timestamp == 5 * TS_STEP


def test_a_complete_keyframe_behind_a_hole_is_shown_at_once() -> None:
    asm = VideoAssembler()
    packets = stream(2)
    for packet in packets[:4]:  # frame 1's second and third packets missing
        asm.add(packet, 0.0)
    key = vp8_packets(2, 3, packets[-1].sequence_number + 1, key=True)
    frames = [f for p in key for f in asm.add(p, 0.05).frames]
    assert [(f.timestamp, f.keyframe) for f in frames] == [(2 * TS_STEP, True)]
    assert asm.counters.holes_given_up == 1


def test_no_keyframe_yet_means_a_keyframe_request() -> None:
    asm = VideoAssembler()
    packets = stream(3)
    for packet in packets[3:]:  # joined after the first keyframe
        assert not asm.add(packet, 0.0).frames
    assert asm.poll(0.05).pli


def test_decoder_failure_waits_for_a_keyframe() -> None:
    asm = VideoAssembler()
    packets = stream(3)
    for packet in packets[:3]:
        asm.add(packet, 0.0)
    assert asm.decode_failed(0.1).pli
    assert not any(asm.add(p, 0.2).frames for p in packets[3:])


def test_duplicates_and_old_packets_are_ignored() -> None:
    asm = VideoAssembler()
    packets = stream(2)
    for packet in packets:
        asm.add(packet, 0.0)
    assert not asm.add(packets[1], 0.1)
    assert asm.counters.duplicates == 1


def test_frame_start_reads_the_vp8_descriptor_and_p_bit() -> None:
    key, inter = vp8_packets(0, 2, 0, key=True), vp8_packets(1, 2, 2, key=False)
    assert vp8_frame_start(key[0]) == (True, True)
    assert vp8_frame_start(inter[0]) == (True, False)
    assert vp8_frame_start(key[1]) == (False, False)
