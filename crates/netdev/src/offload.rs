//! Sending offloaded buffers to ports that take only complete frames (dummy,
//! tap without vnet header): the partial checksum is finished and GSO
//! super-packets are segmented in software (`packet::resolve_offload`).
//!
//! Frames without offload go straight through in batches; only offloaded ones
//! are copied (that path allocates, which is acceptable: it replaces work a NIC
//! or the kernel would otherwise do, and it is rare on such ports).

use std::io;

use packet::{Buffer, BATCH_SIZE};

use crate::Netdev;

/// Sends `pkts` through `dev.send`, completing offloaded work first. Frames
/// whose offload facts are inconsistent (cannot be completed) are dropped.
pub(crate) fn send_resolved<N: Netdev + ?Sized>(dev: &mut N, pkts: &[&Buffer]) -> io::Result<()> {
    if pkts.iter().all(|b| b.offload.is_none()) {
        return send_plain(dev, pkts.iter().map(|b| b.data()));
    }
    let mut ready: Vec<Buffer> = Vec::with_capacity(pkts.len());
    for b in pkts {
        if b.offload.is_none() {
            ready.push((*b).clone());
            continue;
        }
        let mut copy = (*b).clone();
        let mut segments = Vec::new();
        match packet::resolve_offload(&mut copy, &mut segments) {
            Ok(packet::Resolved::InPlace) => ready.push(copy),
            Ok(packet::Resolved::Segmented(_)) => ready.append(&mut segments),
            Err(_) => {}
        }
    }
    send_plain(dev, ready.iter().map(|b| b.data()))
}

/// Sends frames in chunks of [`BATCH_SIZE`] without allocating.
fn send_plain<'a, N: Netdev + ?Sized>(
    dev: &mut N,
    frames: impl Iterator<Item = &'a [u8]>,
) -> io::Result<()> {
    let mut chunk: [&[u8]; BATCH_SIZE] = [&[]; BATCH_SIZE];
    let mut n = 0;
    for f in frames {
        chunk[n] = f;
        n += 1;
        if n == BATCH_SIZE {
            dev.send(&chunk[..n])?;
            n = 0;
        }
    }
    if n > 0 {
        dev.send(&chunk[..n])?;
    }
    Ok(())
}
