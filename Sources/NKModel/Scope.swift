import Foundation
import MRT

/// What an analysis is about: target prefixes (with their more-specifics and
/// the less-specifics that cover them) and origin ASNs, from the command
/// line or a country's RIR delegations.
public struct Scope: Sendable, Hashable {
    /// Sorted, without duplicates.
    public private(set) var prefixes: [Prefix]
    public var originASNs: Set<UInt32>
    /// ISO country code when built from an RIR delegation file.
    public var country: String?

    public init(prefixes: [Prefix], originASNs: Set<UInt32>, country: String? = nil) {
        self.prefixes = Array(Set(prefixes)).sorted()
        self.originASNs = originASNs
        self.country = country
    }

    /// North Korea: 175.45.176.0/22 (announced as four /24s), origin AS131279.
    public static let northKorea = Scope(prefixes: [Prefix(address: .v4(0xAF2D_B000), length: 22)].compactMap { $0 }, originASNs: [131279])

    public var isEmpty: Bool { prefixes.isEmpty && originASNs.isEmpty }

    public var prefixSet: PrefixSet { PrefixSet(prefixes) }

    /// The JSON form the store records and every output prints:
    /// `{"country": …, "origin_asns": [..], "prefixes": [..]}`.
    public var json: JSON {
        var fields: [(String, JSON)] = []
        if let country { fields.append(("country", .string(country))) }
        fields.append(("origin_asns", .array(originASNs.sorted().map { .int(Int64($0)) })))
        fields.append(("prefixes", .strings(prefixes.map(\.description))))
        return .object(fields)
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads `json`'s form back.
    public init(json text: String) throws {
        guard let obj = try? JSON.parse(Data(text.utf8)) as? [String: Any] else {
            throw FormatError(description: "a scope is a JSON object")
        }
        var prefixes: [Prefix] = []
        for p in obj["prefixes"] as? [String] ?? [] {
            guard let x = Prefix(p) else { throw FormatError(description: "'\(p)' is not a prefix") }
            prefixes.append(x)
        }
        let asns = (obj["origin_asns"] as? [NSNumber] ?? []).map { UInt32(truncating: $0) }
        self.init(prefixes: prefixes, originASNs: Set(asns), country: obj["country"] as? String)
    }
}

extension Scope: CustomStringConvertible {
    /// `country KP; prefixes 175.45.176.0/22; origin ASNs 131279`.
    public var description: String {
        var parts: [String] = []
        if let country { parts.append("country \(country)") }
        parts.append("prefixes " + (prefixes.isEmpty ? "none" : prefixes.map(\.description).joined(separator: ", ")))
        parts.append("origin ASNs " + (originASNs.isEmpty ? "none" : originASNs.sorted().map(String.init).joined(separator: ", ")))
        return parts.joined(separator: "; ")
    }
}

/// A scope with the name analyses and reports use for it (`--scope NAME`):
/// a store ingested for several scopes in one pass keeps each by name.
public struct NamedScope: Sendable, Hashable {
    public var name: String
    public var scope: Scope

    public init(name: String, scope: Scope) {
        self.name = name
        self.scope = scope
    }

    /// The name a scope goes by when none is given: its country code, or
    /// `north-korea` for the default scope, or `default`.
    public static func defaultName(for scope: Scope) -> String {
        if let cc = scope.country { return cc.uppercased() }
        if scope == .northKorea { return "north-korea" }
        return "default"
    }

    /// One scope holding every prefix and origin ASN of `scopes`: what one
    /// pass over the archives reads for all of them.
    public static func union(_ scopes: [NamedScope]) -> Scope {
        if scopes.count == 1 { return scopes[0].scope }
        return Scope(prefixes: scopes.flatMap(\.scope.prefixes), originASNs: Set(scopes.flatMap(\.scope.originASNs)))
    }

    /// `[{"name": …, "scope": {…}}, …]`, the form the store records.
    public static func json(_ scopes: [NamedScope]) -> JSON {
        .array(scopes.map { .object([("name", .string($0.name)), ("scope", $0.scope.json)]) })
    }

    /// Reads `json(_:)`'s form back.
    public static func parse(_ text: String) throws -> [NamedScope] {
        guard let list = try? JSON.parse(Data(text.utf8)) as? [[String: Any]] else {
            throw Scope.FormatError(description: "named scopes are a JSON array of objects")
        }
        return try list.map { obj in
            guard let name = obj["name"] as? String, let s = obj["scope"],
                  let data = try? JSONSerialization.data(withJSONObject: s), let text = String(data: data, encoding: .utf8) else {
                throw Scope.FormatError(description: "a named scope has a name and a scope")
            }
            return NamedScope(name: name, scope: try Scope(json: text))
        }
    }
}
