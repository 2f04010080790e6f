import IdemActions
import IdemCore
import IdemStore
import IdemUI

/// How the loop performs the update's effects: none of them blocks its thread. Reads go to the record's store's
/// feed, actions to workers, and each answers with a message through the inbox.
extension AppLoop {
    func perform(_ effect: Effect) {
        switch effect {
        case .quit:
            isRunning = false
        case .copy(let text):
            terminal.copy(text)
        case .export(let path, let records):
            // The ledger is a value: the worker writes the one this frame shows while the loop goes on.
            workers.start("idemtop-export") { [ledger = state.ledger, now = state.now] in
                switch TokenExport.write(records, of: ledger, at: now, to: path) {
                case .success(let line): return .message(.notice(line))
                case .failure(let error): return .message(.error("\(error)"))
                }
            }
        case .suspend:
            terminal.suspend()
            // The terminal may have been resized while stopped; the resize repaints everything.
            let size = terminal.size
            send(.resize(width: size.width, height: size.height))
        case .loadDetail(let key):
            loadDetail(key)
        case .loadCompare(let keys):
            loadCompare(keys)
        case .purge(let order):
            workers.start("idemtop-purge") { [actions = actions[Int(order.key.store)]] in
                .message(ActionEffects.purge(order, actions: actions))
            }
        case .purgeMany(let orders):
            workers.start("idemtop-purge") { [actions, workers] in
                .message(ActionEffects.purgeMany(orders, actions: actions, shouldStop: { workers.shouldStop }))
            }
        case .prepareReplay(let key):
            feeds[Int(key.store)].read { [inbox, target = options.replayTarget] reader in
                inbox.post(.message(ActionEffects.prepareReplay(key, reader: reader, target: target)))
            }
        case .replay(let key):
            replay(key)
        case .searchBodies(let needles):
            bodySearches.start(needles)
        case .cancelBodySearch:
            bodySearches.cancel()
        case .refold(let asOf):
            refold(asOf: asOf)
        case .setTheme(let name):
            workers.start("idemtop-theme") { [environment = options.environment] in
                do { return .theme(try DashboardThemes.load(name, environment: environment)) } catch {
                    return .message(.error("theme: \(error)"))
                }
            }
        }
    }

    /// Reads the (one) store again from its start on its feed's thread, folding it into a fresh state up to `asOf`,
    /// and posts the fold; the feed then follows with that reader.
    func refold(asOf: Instant?) {
        guard feeds.count == 1 else { return }
        var template = AppState(storeName: state.storeName, storeKind: state.storeKind, policy: options.policy,
                                now: asOf ?? options.clock.now())
        template.asOf = asOf
        let fold = template
        feeds[0].reopen({ [registry, location = locations[0]] in try registry.reader(location, mode: .readOnly) }) {
            [inbox, clock = options.clock] reader in
            var s = fold
            var batch: [StoreEvent] = []
            var bad: [MalformedEntry] = []
            while try reader.poll(limit: 50_000, { batch.append($0) }, malformed: { bad.append($0) }) > 0 {
                _ = s.update(.events(batch, malformed: bad))
                batch.removeAll(keepingCapacity: true)
                bad.removeAll()
            }
            if !bad.isEmpty { _ = s.update(.events([], malformed: bad)) }
            inbox.post(.message(.refolded(Refold(state: s, asOf: asOf, wall: clock.now()))))
        }
    }

    /// Reads the token's detail on the feed's thread (one read at a time per token, see `detailLoads`).
    func loadDetail(_ key: TokenKey) {
        if detailLoads[key] != nil {
            detailLoads[key] = true
            return
        }
        detailLoads[key] = false
        readDetail(key, loaded: { .detailLoaded($0) }, failed: { .detailFailed(key, $0) }, then: .detailDone(key))
    }

    /// Reads the tokens of the side-by-side view, each on its store's feed thread (no I/O on the loop's).
    func loadCompare(_ keys: [TokenKey]) {
        for key in keys {
            readDetail(key, loaded: { .compareLoaded($0) }, failed: { .compareFailed(key, $0) })
        }
    }

    /// Reads a token's detail on its store's feed thread and posts the message `loaded` or `failed` makes of it,
    /// then `then` when given.
    private func readDetail(_ key: TokenKey, loaded: @escaping @Sendable (DetailContent) -> Message,
                            failed: @escaping @Sendable (String) -> Message, then: AppEvent? = nil) {
        feeds[Int(key.store)].read { [inbox] reader in
            do {
                let d = try reader.detail(for: key.inOwnStore)
                // The requested key: it names the store too, which a reader does not know of itself.
                inbox.post(.message(loaded(DetailContent(key: key, request: d.request, response: d.response,
                                                         error: d.error, timeline: d.timeline))))
            } catch {
                inbox.post(.message(failed("\(error)")))
            }
            if let then { inbox.post(then) }
        }
    }

    /// Sends a token's stored request to the replay target: the feed reads the request and stored response, a
    /// worker does the exchange and records the admin event.
    func replay(_ key: TokenKey) {
        guard let target = options.replayTarget else {
            send(.replayFinished(key, lines: ["no replay target: start the dashboard with --target BASE_URL"],
                                 failed: true))
            return
        }
        send(.replayStarted(key, target: target, at: options.clock.now()))
        workers.begin()
        feeds[Int(key.store)].read { [actions = actions[Int(key.store)], workers] reader in
            let inputs = Result { try reader.detail(for: key.inOwnStore) }
            workers.spawn("idemtop-replay") {
                switch inputs {
                case .success(let d):
                    return .message(ActionEffects.replay(key, request: d.request, stored: d.response, target: target,
                                                         actions: actions))
                case .failure(let error):
                    return .message(.replayFinished(key, lines: ["\(error)"], failed: true))
                }
            }
        }
    }
}
