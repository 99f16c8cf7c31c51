import Foundation
import NKModel

/// Text for a terminal of a given width: prose wrapped at word boundaries,
/// and tables that drop their least important columns (and shorten their
/// times) rather than wrap. Widths count Unicode scalars: every character
/// nkwatch prints in a table or a heading is one column wide.
public enum TextLayout {
    /// The printed width of `s`.
    static func width(_ s: String) -> Int { s.unicodeScalars.count }

    /// `text` wrapped at `width`, breaking only between words; lines after
    /// the first start with `indent`. A word longer than the width stands
    /// alone on its line (a URL, a path), never cut.
    public static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        var lines: [String] = []
        let lead = String(text.prefix { $0 == " " })
        var current = lead
        var currentWidth = lead.count
        let indentWidth = Self.width(indent)
        for word in glued(text) {
            let w = Self.width(word)
            if currentWidth == lead.count && lines.isEmpty {
                current = lead + word
                currentWidth = lead.count + w
            } else if currentWidth + 1 + w > width && currentWidth > (lines.isEmpty ? 0 : indentWidth) {
                lines.append(current)
                current = indent + word
                currentWidth = indentWidth + w
            } else {
                current += " " + word
                currentWidth += 1 + w
            }
        }
        if currentWidth > (lines.isEmpty ? lead.count : indentWidth) || lines.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }

    /// Units that stay with the number before them ("15 min", "31 %", "16:15 UTC").
    static let units: Set<Substring> = ["min", "h", "s", "d", "ms", "%", "UTC"]

    /// The words of `text`, a unit joined to the number before it.
    static func glued(_ text: String) -> [String] {
        var out: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let bare = word.drop { _ in false }.prefix { !",;:.)".contains($0) }
            if let last = out.last, units.contains(word) || units.contains(bare), last.last?.isNumber == true {
                out[out.count - 1] = last + " " + word
            } else {
                out.append(String(word))
            }
        }
        return out
    }

    /// Each line of `text` wrapped at `width`, continuation lines indented
    /// by two spaces: headings and notes.
    public static func wrapLines(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { wrap(String($0), width: width, indent: "  ") }.joined(separator: "\n")
    }

    /// `3 collectors`, `1 collector`.
    public static func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}

/// A table for the terminal. Each column has a priority (0: always shown)
/// and may have a short form of its cells. To fit `width`: first the short
/// forms, then columns dropped from the least important; the table says
/// which columns it left out.
public struct TextTable {
    public struct Column {
        public var header: String
        /// 0 is kept whatever the width; higher numbers go first.
        public var priority: Int
        public var cells: [String]
        /// Cells in a narrower form (times without year and seconds), used
        /// when the table does not fit; nil: none.
        public var shortHeader: String?
        public var shortCells: [String]?

        public init(_ header: String, priority: Int, cells: [String], shortHeader: String? = nil, shortCells: [String]? = nil) {
            self.header = header
            self.priority = priority
            self.cells = cells
            self.shortHeader = shortHeader
            self.shortCells = shortCells
        }
    }

    public var columns: [Column]
    /// A line under each row (`why: …`), wrapped and indented.
    public var notes: [String]?

    public init(_ columns: [Column], notes: [String]? = nil) {
        self.columns = columns
        self.notes = notes
    }

    static func widths(_ cols: [(header: String, cells: [String])]) -> [Int] {
        cols.map { c in c.cells.reduce(TextLayout.width(c.header)) { max($0, TextLayout.width($1)) } }
    }

    static func total(_ widths: [Int]) -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }

    /// The table at `width`, and the headers of the columns left out.
    public func render(width: Int) -> (text: String, omitted: [String]) {
        var shown = Array(columns.indices)
        var short = false
        func layout() -> [(header: String, cells: [String])] {
            shown.map { i in
                let c = columns[i]
                if short, let s = c.shortCells { return (c.shortHeader ?? c.header, s) }
                return (c.header, c.cells)
            }
        }
        var cols = layout()
        if Self.total(Self.widths(cols)) > width, columns.contains(where: { $0.shortCells != nil }) {
            short = true
            cols = layout()
        }
        while Self.total(Self.widths(cols)) > width {
            guard let drop = shown.filter({ columns[$0].priority > 0 }).max(by: { (columns[$0].priority, $0) < (columns[$1].priority, $1) }) else { break }
            shown.removeAll { $0 == drop }
            cols = layout()
        }
        let omitted = columns.indices.filter { !shown.contains($0) }.map { columns[$0].header }
        let widths = Self.widths(cols)
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                s += c
                if i < cells.count - 1 { s += String(repeating: " ", count: widths[i] - TextLayout.width(c) + 2) }
            }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = line(cols.map(\.header)) + "\n"
        let rows = cols.first?.cells.count ?? 0
        for r in 0..<rows {
            out += line(cols.map { $0.cells[r] }) + "\n"
            if let notes, r < notes.count { out += TextLayout.wrap("    why: " + notes[r], width: width, indent: "         ") + "\n" }
        }
        return (out, omitted)
    }
}
