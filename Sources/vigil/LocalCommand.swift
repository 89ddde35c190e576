import ArgumentParser
import Foundation
import VigilCore
import VigilLocal
import VigilRouter

/// `vigil local …`: a highly-available group on this host, with a built-in router.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Run a replicated MariaDB/MySQL group on this host, with a router.",
        subcommands: [Up.self, Status.self, Switchover.self, Chaos.self, OverrideCooldown.self, Unquarantine.self, Rebuild.self, Down.self, Destroy.self,
                      Logs.self, Supervise.self, Links.self])

    struct DirOption: ParsableArguments {
        @Option(help: "The group's directory.") var dir: String = "./vigil-local"
        var layout: LocalLayout { LocalLayout(root: dir) }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (or resume) a group and start it in the background.")
        @OptionGroup var dir: DirOption
        @Option(help: "Number of database instances (instance 0 starts as primary).") var instances = 3
        @Option(help: "Comma-separated site names; instances are spread over them.") var sites = "a"
        @Option(help: "semisync (lossless, the default) or async.") var mode = "semisync"
        @Option(help: "First of the ports this group uses (router read-write, read-only, controller, then servers from +10).") var portBase = 13300
        @Option(help: "The mariadbd / mysqld binary (default: from PATH).") var mysqld: String?
        @Flag(help: "Stay in the foreground instead of starting a background supervisor.") var foreground = false
        @Flag(help: "Route every connection between the group's parts through fault-injecting links (for `chaos partition-primary`); a new group only.")
        var faultLinks = false

        func run() async throws {
            let options = LocalGroup.UpOptions(
                directory: dir.dir, instances: instances, sites: sites.split(separator: ",").map(String.init),
                mode: mode, portBase: portBase, mysqld: mysqld, foreground: foreground, faultLinks: faultLinks)
            let started = ContinuousClock.now
            do {
                let outcome = try await LocalGroup.up(options, executable: selfPath()) { print($0) }
                if foreground { return }
                let (_, _, state) = try LocalGroup.status(dir.layout)
                let elapsed = ContinuousClock.now - started
                let verb = outcome == .started ? "started" : outcome == .resumed ? "resumed" : "already running"
                print(Summary.up(layout: dir.layout, state: state, verb: verb, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            } catch {
                fail(error)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show instances, roles, health, GTIDs, lag and the router.")
        @OptionGroup var dir: DirOption
        @Flag(help: "Print one JSON object.") var json = false

        func run() async throws {
            do {
                let (running, data, state) = try LocalGroup.status(dir.layout)
                if json {
                    if let data { print(String(decoding: data, as: UTF8.self)) }
                    else { print(#"{"phase":"\#(running ? "starting" : "stopped")","primary":null,"instances":[]}"#) }
                } else {
                    print(Summary.status(running: running, data: data, state: state))
                }
            } catch {
                fail(error)
            }
        }
    }

    struct Switchover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Planned switchover: primary read-only, target catches up, promote, move traffic, repoint.")
        @OptionGroup var dir: DirOption
        @Option(help: "The instance to promote (default: the best candidate).") var to: String?
        func run() async throws {
            do {
                let record = try await LocalGroup.switchover(dir.layout, to: to)
                switch record.outcome {
                case .completed:
                    print("switched over \(record.from) → \(record.to): writes blocked \(record.writeBlockedMs) ms, total \((record.completedAt - record.startedAt).wholeMilliseconds) ms")
                case .rolledBack(let why):
                    fail(LocalError.failed("switchover rolled back (\(record.from) is the writable primary again): \(why)"))
                case .abandoned(let why):
                    fail(LocalError.failed("switchover abandoned: \(why); a failover follows, see `vigil local status`"))
                }
            } catch {
                fail(error)
            }
        }
    }

    struct Chaos: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inject a fault: kill-primary, kill-replica, pause-primary, partition-primary, kill-site, kill-agent, kill-controller, heal.")
        @OptionGroup var dir: DirOption
        @Argument(help: "The fault.") var fault: String
        @Argument(help: "Its target, as --target (`kill-site b`).") var name: String?
        @Option(help: "Instance (or site, for kill-site); default: the primary, or a healthy replica.") var target: String?
        @Option(name: .customLong("for"), help: "pause-primary: how long to keep the server stopped (15s, the default); partition-primary: heal after this long (default: stay cut until `heal`).")
        var seconds: Seconds?
        @Option(help: "partition-primary: cut it off from replicas, controller, clients (comma-separated) or everything.")
        var from = "everything"
        @Option(help: "partition-primary: blackhole (packets dropped, connections hang) or reset (connections reset).")
        var linkFault = "blackhole"
        @Option(help: "kill-controller: start a new supervisor after this long (e.g. 2s), which takes the running group over (default: none; `vigil local up` does it).")
        var restartAfter: Seconds?
        func validate() throws {
            guard LocalChaos.Fault(rawValue: fault) != nil else {
                throw ValidationError("unknown fault \(fault); one of \(LocalChaos.Fault.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if name != nil && target != nil { throw ValidationError("give the target once: as an argument or with --target") }
            if let seconds { guard seconds.value > 0, seconds.value <= 3600 else { throw ValidationError("--for must be more than 0 and at most 1h") } }
            guard PartitionSide.parse(from) != nil else {
                throw ValidationError("--from takes replicas, controller, clients (comma-separated) or everything (got \(from))")
            }
            guard LinkFault(rawValue: linkFault) != nil else { throw ValidationError("--link-fault must be blackhole or reset (got \(linkFault))") }
            if let restartAfter { guard restartAfter.value <= 3600 else { throw ValidationError("--restart-after must be at most 1h") } }
        }
        func run() async throws {
            let kind = LocalChaos.Fault(rawValue: fault)!
            do throws(LocalError) {
                let injected = try await LocalChaos.inject(
                    kind, layout: dir.layout, target: target ?? name, pauseFor: (seconds ?? Seconds(15)).duration,
                    partition: LocalChaos.Partition(sides: PartitionSide.parse(from)!, fault: LinkFault(rawValue: linkFault)!),
                    restartAfter: restartAfter?.duration, executable: selfPath())
                print(injected.description)
                if kind == .partitionPrimary, let seconds {
                    try? await Task.sleep(for: seconds.duration)
                    try await LocalLinks.apply([:], layout: dir.layout)
                    print("healed every link after \(seconds)")
                }
            } catch {
                fail(error)
            }
        }
    }

    struct OverrideCooldown: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "override-cooldown", abstract: "End the anti-flap cooldown now (recorded).")
        @OptionGroup var dir: DirOption
        func run() async throws {
            do {
                print(try await LocalGroup.operatorCommand(dir.layout, .overrideCooldown).reason)
            } catch {
                fail(error)
            }
        }
    }

    struct Unquarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a quarantined instance rejoin as a replica without the GTID check (recorded).")
        @OptionGroup var dir: DirOption
        @Argument(help: "The quarantined instance.") var instance: String
        func run() async throws {
            do {
                print(try await LocalGroup.operatorCommand(dir.layout, .unquarantine(instance)).reason)
            } catch {
                fail(error)
            }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a replica (e.g. a quarantined former primary) a fresh copy of the primary's data, then let it rejoin.")
        @OptionGroup var dir: DirOption
        @Argument(help: "The instance to rebuild (not the primary).") var instance: String
        func run() async throws {
            do {
                print(try await LocalGroup.rebuild(dir.layout, instance).reason)
            } catch {
                fail(error)
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop everything gracefully; keep the data.")
        @OptionGroup var dir: DirOption
        func run() async throws {
            do {
                print(try await LocalGroup.down(dir.layout) ? "stopped \(dir.layout.root); data kept (start again with `vigil local up --dir \(dir.dir)`)" : "\(dir.layout.root) was not running")
            } catch {
                fail(error)
            }
        }
    }

    struct Destroy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop everything and delete the directory (needs --yes).")
        @OptionGroup var dir: DirOption
        @Flag(help: "Really delete the group and its data.") var yes = false
        func validate() throws {
            if !yes { throw ValidationError("destroy deletes \(dir.layout.root) and all its data; add --yes to confirm") }
        }
        func run() async throws {
            do {
                try await LocalGroup.destroy(dir.layout)
                print("destroyed \(dir.layout.root)")
            } catch {
                fail(error)
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an instance's server log, or the supervisor's log.")
        @OptionGroup var dir: DirOption
        @Argument(help: "Instance name (db0, db1, …); omit for the supervisor log.") var instance: String?
        func run() async throws {
            let layout = dir.layout
            let path = instance.map { layout.errorLog($0) } ?? layout.supervisorLog
            guard let data = FileManager.default.contents(atPath: path) else {
                fail(LocalError.failed("no log at \(path)"))
            }
            FileHandle.standardOutput.write(data)
        }
    }

    struct Links: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a group's fault links in the foreground (started by the supervisor).", shouldDisplay: false)
        @OptionGroup var dir: DirOption
        func run() async throws {
            do {
                try await LocalLinks.run(layout: dir.layout)
            } catch {
                fail(error)
            }
        }
    }

    struct Supervise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a group's supervisor in the foreground (started by `up`).", shouldDisplay: false)
        @OptionGroup var dir: DirOption
        func run() async throws {
            do {
                try await LocalGroup.runSupervisor(layout: dir.layout)
            } catch {
                fail(error)
            }
        }
    }
}

func fail(_ error: LocalError) -> Never {
    FileHandle.standardError.write(Data("vigil local: \(error)\n".utf8))
    Foundation.exit(error.isUsage ? 2 : 1)
}

func selfPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
