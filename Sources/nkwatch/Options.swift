import ArgumentParser
import Foundation
import MRT
import NKStore
import NKWatchCore

/// Where the store is: --store, else NKWATCH_STORE, else ./nkwatch.sqlite.
struct StoreOptions: ParsableArguments {
    init() {}
    init(storePath: String) { self.storePath = storePath }

    @Option(name: .customLong("store"), help: ArgumentHelp("The SQLite store (default: $NKWATCH_STORE or ./nkwatch.sqlite).", valueName: "path"))
    var storePath: String?

    var path: String { storePath ?? ProcessInfo.processInfo.environment["NKWATCH_STORE"] ?? "nkwatch.sqlite" }

    func open() throws -> Store {
        do {
            return try Store.open(path: path)
        } catch let e as StoreError {
            Stderr.line(e.message)
            throw ExitCode(e.code == .database ? NKWatch.Exit.badInput : NKWatch.Exit.usage)
        }
    }
}

/// What to watch. With none of these flags: North Korea (175.45.176.0/22, AS131279).
struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("prefix"), help: ArgumentHelp("A target prefix; its more-specifics and covering less-specifics are in scope (repeatable).", valueName: "prefix"))
    var prefixes: [String] = []

    @Option(name: .customLong("origin-asn"), help: ArgumentHelp("A target origin AS (repeatable).", valueName: "asn"))
    var originASNs: [UInt32] = []

    @Option(help: ArgumentHelp("A country: its address blocks and AS numbers from --delegations.", valueName: "cc"))
    var country: String?

    @Option(help: ArgumentHelp("An RIR delegated-extended statistics file (for --country).", valueName: "file"))
    var delegations: String?

    func validate() throws {
        for p in prefixes where Prefix(p) == nil { throw ValidationError("'\(p)' is not a prefix (expected a.b.c.d/n or x:y::/n)") }
        if country != nil && delegations == nil { throw ValidationError("--country needs --delegations FILE (an RIR delegated-extended file)") }
        if delegations != nil && country == nil { throw ValidationError("--delegations is used with --country CC") }
        if let c = country, c.count != 2 || !c.allSatisfy(\.isLetter) { throw ValidationError("--country '\(c)' is not a two-letter country code") }
    }

    func resolve() throws -> Scope {
        var prefixes = self.prefixes.compactMap { Prefix($0) }
        var asns = Set(originASNs)
        var cc: String? = nil
        if let country, let delegations {
            let text: String
            do {
                text = try String(contentsOfFile: delegations, encoding: .utf8)
            } catch {
                Stderr.line("\(delegations): cannot read: \(error.localizedDescription)")
                throw ExitCode(NKWatch.Exit.badInput)
            }
            do {
                let s = try Delegations.scope(country: country, text: text)
                if s.isEmpty {
                    Stderr.line("\(delegations): no allocated or assigned resources for country \(country.uppercased())")
                    throw ExitCode(NKWatch.Exit.badInput)
                }
                prefixes += s.prefixes
                asns.formUnion(s.originASNs)
                cc = s.country
            } catch let e as Delegations.ParseError {
                Stderr.line("\(delegations): \(e)")
                throw ExitCode(NKWatch.Exit.badInput)
            }
        }
        if prefixes.isEmpty && asns.isEmpty { return .northKorea }
        return Scope(prefixes: prefixes, originASNs: asns, country: cc)
    }
}
