import IdemCore

extension JournalReader {
    /// Hands on complete lines, up to `limit` events: first those decoded already, then the buffer's complete
    /// lines, decoded as one block (on all cores when it is large).
    func processLines(limit: Int, _ sink: (StoreEvent) -> Void, _ malformed: (MalformedEntry) -> Void,
                      hand: Bool = true) -> Int {
        var count = 0
        while count < limit {
            if part < ready.count {
                if !hand { break }
                count += handReady(limit: limit - count, sink, malformed)
                continue
            }
            if !ready.isEmpty { ready.removeAll(keepingCapacity: true) }
            // The last `\n` (lines are short: a backward byte loop finds it at once; memrchr is not imported).
            var last = end - 1
            while last >= start, buffer[last] != 10 { last -= 1 }
            guard last >= start else { break }
            let upTo = last + 1
            ready = blocks.decode(buffer + start, count: upTo - start, fileOffset: bufferOffset + Int64(start),
                                  folds: foldsOnly)
            (part, nextEvent, nextSkip) = (0, 0, 0)
            start = upTo
        }
        return count
    }

    /// Hands on decoded lines in order, up to `limit` events (or to the end of the current part).
    func handReady(limit: Int, _ sink: (StoreEvent) -> Void, _ malformed: (MalformedEntry) -> Void) -> Int {
        var count = 0
        let skips = ready[part].skips
        let events = ready[part].events.count
        while count < limit {
            if nextSkip < skips.count && skips[nextSkip].before == nextEvent {
                skipLine(skips[nextSkip].reason, malformed)
                nextSkip += 1
            } else if nextEvent < events {
                lineNumber += 1
                ready[part].events[nextEvent].seq = lineNumber
                let e = ready[part].events[nextEvent]
                chains?.add(tenant: e.tenant, token: e.token, offset: e.ref)
                sink(e)
                nextEvent += 1
                count += 1
            } else {
                (part, nextEvent, nextSkip) = (part + 1, 0, 0)
                break
            }
        }
        return count
    }

    /// Counts a line that holds no event, reporting it when it is malformed (`reason` nil: an empty line).
    func skipLine(_ reason: String?, _ malformed: (MalformedEntry) -> Void) {
        lineNumber += 1
        chains?.skipLine()
        if let reason { malformed(MalformedEntry(position: lineNumber, reason: reason)) }
    }
}
