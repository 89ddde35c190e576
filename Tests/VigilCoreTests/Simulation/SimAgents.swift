import VigilCore

/// The agents: heartbeats to the controller, pings to peers, local server checks, and their
/// fence actions applied to the instance.
extension SimRun {
    /// Every agent does its periodic work once per probe interval, staggered by instance.
    func isDue(_ index: Int) -> Bool {
        (now / settings.stepMs + Int64(index)) % (probeMs / settings.stepMs) == 0
    }

    mutating func driveAgent(_ index: Int) {
        guard agents[index].alive else { return }
        let local = agents[index].local(now)
        let late = agents[index].delayedWords
        agents[index].delayedWords = []
        for (word, sentAt) in late {
            feed(index, .controllerWord(word, requestSentAt: sentAt, authenticated: true))
        }
        if isDue(index) {
            feed(index, .serverObserved(world.serverState(index)))
            heartbeat(index, sentAt: local)
            for peer in world.instances.indices where peer != index && agents[peer].alive && world.network.linked(index, peer) {
                let vouch = agents[peer].fencing.vouch(at: agents[peer].local(now))
                feed(index, .peerAnswered(peer: world.instances[peer].name, vouch, requestSentAt: local))
            }
        }
        if let wake = agents[index].wakeAt, wake <= agents[index].local(now) { feed(index, .tick) }
    }

    /// Poked agents heartbeat now (a few rounds: a heartbeat may change the word again).
    mutating func answerPokes() {
        var rounds = 0
        while !pokes.isEmpty && rounds < 3 {
            rounds += 1
            let batch = Array(Set(pokes)).sorted()
            pokes = []
            for index in batch where agents[index].alive {
                heartbeat(index, sentAt: agents[index].local(now))
            }
        }
        pokes = []
    }

    private mutating func heartbeat(_ index: Int, sentAt: Instant) {
        guard controllerUp, world.network.linked(index, SimNetwork.controller) else { return }
        let fencing = agents[index].fencing
        var reachable: Bool?
        if let primary = fencing.primary, primary != world.instances[index].name {
            reachable = world.canReach(index, primary: world.index(of: primary))
        }
        let report = AgentReport(
            instance: world.instances[index].name, term: fencing.term, believedPrimary: fencing.primary,
            fence: AgentReport.Fence(fencing.fence), server: world.serverState(index), primaryReachable: reachable)
        let decision = decide(.agentReported(report))
        for action in decision.actions {
            guard case .replyToAgent(let name, let word) = action.kind, name == world.instances[index].name else { continue }
            // Some replies arrive a step late: exercises reordering against newer words.
            if random.chance(0.15) {
                agents[index].delayedWords.append((word, sentAt))
            } else {
                feed(index, .controllerWord(word, requestSentAt: sentAt, authenticated: true))
            }
        }
    }

    /// Hands one input to the agent and applies what it decides, following up on results.
    mutating func feed(_ index: Int, _ input: AgentInput) {
        var queue = [input]
        var position = 0
        while position < queue.count && position < 20 {
            let next = queue[position]
            position += 1
            let decision = agents[index].fencing.handle(next, now: agents[index].local(now))
            agents[index].wakeAt = decision.wakeAt
            for action in decision.actions {
                if let followUp = apply(action, on: index) { queue.append(followUp) }
            }
        }
    }

    private mutating func apply(_ action: AgentAction, on index: Int) -> AgentInput? {
        let process = world.instances[index].process
        switch action {
        case .fence(let why):
            if settings.agentsIgnoreLease && why != .agentStart && why != .serverRestarted { return .fenceCompleted(.confirmed) }
            switch process {
            case .running:
                if !world.instances[index].readOnly { log("agent fences \(world.instances[index].name) (\(why))") }
                world.instances[index].readOnly = true
                return .fenceCompleted(.confirmed)
            case .paused: return .fenceCompleted(.ambiguous("timed out"))
            case .killed: return .fenceCompleted(.failed("connection refused"))
            }
        case .unfence:
            switch process {
            case .running:
                if world.instances[index].readOnly { log("agent unfences \(world.instances[index].name)") }
                world.instances[index].readOnly = false
                return .unfenceCompleted(.confirmed)
            case .paused: return .unfenceCompleted(.ambiguous("timed out"))
            case .killed: return .unfenceCompleted(.failed("connection refused"))
            }
        case .reReadServerState:
            return .serverObserved(world.serverState(index))
        case .killServer(let why):
            if settings.agentsIgnoreLease { return nil }
            log("agent kills \(world.instances[index].name) (\(why))")
            world.kill(index)
            return .serverObserved(.exited)
        }
    }
}
