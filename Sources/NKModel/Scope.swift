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
