import IdemCore

extension JournalReader: BatchReader {
    /// Reads the next events as one array, taking a decoded part whole when one waits from its start: each event
    /// is numbered and indexed in place and the part's array handed over as it is, with no copy of each event (at
    /// millions of events the per-event copies into a batch were a tenth of the reading thread's time, in atomic
    /// reference counts). Otherwise as `poll`. An empty answer means nothing new (as `poll` returning 0).
    public func pollBatch(limit: Int, malformed: (MalformedEntry) -> Void) throws -> [StoreEvent] {
        var out: [StoreEvent] = []
        while out.isEmpty {
            if part >= ready.count {
                // Decodes the next block without handing it on (a rotated file's last line may come through `out`).
                _ = try poll(limit: limit, { out.append($0) }, malformed, untilDecoded: true)
                if part >= ready.count || !out.isEmpty { return out }
            }
            if nextEvent == 0 && nextSkip == 0 && ready[part].events.count <= limit {
                out = takePart(malformed)
            } else {
                _ = handReady(limit: limit, { out.append($0) }, malformed)
            }
        }
        return out
    }

    /// Numbers and indexes every line of the current part in order, reports its malformed lines, and returns its
    /// events, leaving the part empty.
    private func takePart(_ malformed: (MalformedEntry) -> Void) -> [StoreEvent] {
        var events = ready[part].events
        ready[part].events = []
        let skips = ready[part].skips
        var skip = 0
        // Through the buffer: `events[i].tenant` on the array copied the whole event (every string retained).
        events.withUnsafeMutableBufferPointer { b in
            for i in b.indices {
                while skip < skips.count && skips[skip].before == i {
                    skipLine(skips[skip].reason, malformed)
                    skip += 1
                }
                lineNumber += 1
                b[i].seq = lineNumber
                chains?.add(tenant: b[i].tenant, token: b[i].token, offset: b[i].ref)
            }
        }
        while skip < skips.count {
            skipLine(skips[skip].reason, malformed)
            skip += 1
        }
        (part, nextEvent, nextSkip) = (part + 1, 0, 0)
        return events
    }
}

extension JournalReader {
    /// Reads the next decoded part whole as `FoldEvent`s, for a one-shot read that only folds (`ReadAhead.drainFolds`;
    /// the reader must keep no token chains: `dropTokenIndex`): its lines are numbered and its malformed ones
    /// reported as `pollBatch` does. Empty when there is nothing new. Every block read while `foldsOnly` is set is
    /// decoded this way, so the caller takes the parts to their end before the reader is polled for `StoreEvent`s
    /// again.
    public func pollFolds(malformed: (MalformedEntry) -> Void) throws -> FoldPart {
        precondition(chains == nil, "JournalReader.pollFolds: a reader that keeps token chains needs StoreEvents")
        foldsOnly = true
        var out = FoldPart()
        while out.events.isEmpty {
            if part >= ready.count {
                // A rotated file's last line comes through the sink, as a StoreEvent already numbered.
                _ = try poll(limit: 1 << 16, { out.append($0) }, malformed, untilDecoded: true)
                if part >= ready.count || !out.events.isEmpty { return out }
            }
            precondition(ready[part].events.isEmpty, "JournalReader.pollFolds: StoreEvents decoded before it")
            out = ready[part].folds
            ready[part].folds = FoldPart()
            var numbered = 0
            for skip in ready[part].skips {
                lineNumber += Int64(skip.before - numbered)
                numbered = skip.before
                skipLine(skip.reason, malformed)
            }
            lineNumber += Int64(out.events.count - numbered)
            (part, nextEvent, nextSkip) = (part + 1, 0, 0)
        }
        return out
    }

    /// Goes back to decoding `StoreEvent`s, once `pollFolds` has taken every part.
    public func endFolds() {
        precondition(part >= ready.count, "JournalReader.endFolds: fold parts not taken yet")
        foldsOnly = false
    }
}
