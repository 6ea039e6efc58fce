"""Code templates for the synthetic benchmark repository, one set per language.

`string.Template` syntax: `$name` (snake or camel case, as the language
likes), `$Name` (Pascal case), `$Class`, `$limit`, `$step`, `$noun`,
`$table`, `$module`; `$$` is a literal dollar. Each language has clean
templates and templates with a planted defect of the kind the structural
checks (and the peers' rules) look for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageTemplates:
    name: str
    extension: str
    directory: str
    snake_names: bool  # function names in snake_case (else camelCase)
    header: str
    footer: str
    clean: tuple[str, ...]
    defects: tuple[str, ...]


PYTHON = LanguageTemplates(
    name="python",
    extension=".py",
    directory="app",
    snake_names=True,
    header='"""$Noun handling for the $module service."""\n\nimport json\nimport os\n',
    footer="",
    clean=(
        '''def $name(items, limit=$limit):
    """Return the $noun entries of items above limit."""
    result = []
    for index, item in enumerate(items):
        if item is None:
            continue
        if item.score > limit:
            result.append((index, item.score * $step))
    return result
''',
        '''class $Class:
    """A bounded store of $noun records."""

    def __init__(self, name, capacity=$limit):
        self.name = name
        self.capacity = capacity
        self._items = {}

    def add(self, key, value):
        if len(self._items) >= self.capacity:
            raise ValueError(f"{self.name} is full")
        self._items[key] = value * $step

    def get(self, key, default=None):
        return self._items.get(key, default)
''',
        '''def $name(path, encoding="utf-8"):
    """Read key=value pairs for $noun from path."""
    values = {}
    with open(path, encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"{path}:{number}: expected key=value")
            values[key.strip()] = value.strip()[:$limit]
    return values
''',
        """def $name(records, key=None, window=$limit):
    totals = {}
    for record in records[-window:]:
        bucket = key(record) if key is not None else record.get("$noun")
        totals[bucket] = totals.get(bucket, 0) + record.get("amount", 0) * $step
    return sorted(totals.items(), key=lambda pair: pair[1], reverse=True)
""",
    ),
    defects=(
        """def $name(items, limit=$limit):
    count = 0
    for item in items:
        if item.parent == None:
            count += 1
        elif item.size > limit:
            count += $step
    return count
""",
        """def $name(item, seen=[], cache={}):
    if item in seen:
        return cache.get(item)
    seen.append(item)
    cache[item] = len(seen) * $step
    return cache[item]
""",
        """def $name(cursor, user_id, limit=$limit):
    query = "SELECT * FROM $table WHERE owner = '%s' LIMIT %d" % (user_id, limit)
    cursor.execute(query)
    rows = cursor.fetchall()
    return [row for row in rows if row[$step % 3] is not None]
""",
        """def $name(expression, default=$limit):
    try:
        value = eval(expression)
    except:
        value = default
    if type(value) == type(default):
        return value
    return default
""",
        """def $name(settings, verbose=False):
    password = "changeme$limit"
    if settings.get("debug") == True:
        verbose = True
    if verbose:
        print("connecting to $table as", settings.get("user"))
    return json.dumps({"host": settings.get("host"), "password": password})
""",
    ),
)

JAVASCRIPT = LanguageTemplates(
    name="javascript",
    extension=".js",
    directory="web",
    snake_names=False,
    header='"use strict";\n\nconst fs = require("fs");\n',
    footer="module.exports = {};\n",
    clean=(
        """function $name(items, limit) {
  const result = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.score > limit + $limit) {
      result.push({ index: i, value: item.value * $step });
    }
  }
  return result;
}
""",
        """class $Class {
  constructor(name, capacity = $limit) {
    this.name = name;
    this.capacity = capacity;
    this.items = new Map();
  }

  add(key, value) {
    if (this.items.size >= this.capacity) {
      throw new Error(this.name + " is full");
    }
    this.items.set(key, value * $step);
  }

  get(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
}
""",
        """async function $name(client, ids) {
  const results = await Promise.all(ids.map((id) => client.fetch("/$noun/" + id)));
  return results
    .filter((response) => response.status === 200)
    .map((response) => response.body)
    .slice(0, $limit);
}
""",
        """const $name = (records) =>
  records.reduce((totals, record) => {
    const bucket = record.$noun || "other";
    totals[bucket] = (totals[bucket] || 0) + record.amount * $step;
    return totals;
  }, {});
""",
    ),
    defects=(
        """function $name(items, kind) {
  let count = 0;
  for (const item of items) {
    if (item.kind == kind) {
      count += $step;
    } else if (item.size > $limit) {
      count += 1;
    }
  }
  return count;
}
""",
        """function $name(expression, fallback) {
  try {
    return eval(expression) || fallback;
  } catch (error) {
    return fallback * $limit;
  }
}
""",
        """async function $name(db, userId) {
  const rows = await db.query("SELECT * FROM $table WHERE owner = '" + userId + "'");
  return rows.slice(0, $limit);
}
""",
        """function $name(element, message) {
  element.innerHTML = "<p>" + message + "</p>";
  return element.children.length > $limit;
}
""",
    ),
)

TYPESCRIPT = LanguageTemplates(
    name="typescript",
    extension=".ts",
    directory="client",
    snake_names=False,
    header=(
        "interface Item {\n  name: string;\n  kind: string;\n  score: number;\n}\n\n"
        "interface Client {\n  fetch(path: string): Promise<{ status: number; body: string }>;\n}\n"
    ),
    footer="",
    clean=(
        """export function $name(items: Item[], limit: number): Item[] {
  const result: Item[] = [];
  for (const item of items) {
    if (item.score > limit + $limit) {
      result.push({ ...item, score: item.score * $step });
    }
  }
  return result;
}
""",
        """export class $Class {
  private readonly items = new Map<string, number>();

  constructor(private readonly name: string, private readonly capacity: number = $limit) {}

  add(key: string, value: number): void {
    if (this.items.size >= this.capacity) {
      throw new Error(`$${this.name} is full`);
    }
    this.items.set(key, value * $step);
  }

  get(key: string): number | undefined {
    return this.items.get(key);
  }
}
""",
        """export async function $name(client: Client, ids: string[]): Promise<string[]> {
  const responses = await Promise.all(ids.map((id) => client.fetch(`/$noun/$${id}`)));
  return responses
    .filter((response) => response.status === 200)
    .map((response) => response.body)
    .slice(0, $limit);
}
""",
    ),
    defects=(
        """export function $name(items: Item[], kind: string): number {
  let count = 0;
  for (const item of items) {
    if (item.kind == kind) {
      count += $step;
    }
  }
  return count > $limit ? $limit : count;
}
""",
        """export function $name(payload: unknown): string {
  const data = payload as any;
  // @ts-ignore
  return data.$noun.name + $step;
}
""",
        """export function $name(index: Map<string, Item>, key: string): number {
  const item = index.get(key)!;
  return eval("item.score * $step") + $limit;
}
""",
    ),
)

GO = LanguageTemplates(
    name="go",
    extension=".go",
    directory="internal",
    snake_names=False,
    header=(
        'package $module\n\nimport (\n\t"database/sql"\n\t"fmt"\n\t"os"\n\t"strings"\n)\n\n'
        "type Item struct {\n\tName  string\n\tScore int\n}\n"
    ),
    footer="",
    clean=(
        """func $Name(items []Item, limit int) []Item {
	var out []Item
	for _, item := range items {
		if item.Score > limit+$limit {
			out = append(out, Item{Name: item.Name, Score: item.Score * $step})
		}
	}
	return out
}
""",
        """type $Class struct {
	name  string
	items map[string]int
}

func (s *$Class) Add(key string, value int) error {
	if len(s.items) >= $limit {
		return fmt.Errorf("%s is full", s.name)
	}
	s.items[key] = value * $step
	return nil
}
""",
        """func $Name(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read $noun config: %w", err)
	}
	values := make(map[string]string)
	for _, line := range strings.Split(string(data), "\\n") {
		key, value, ok := strings.Cut(line, "=")
		if !ok || len(key) > $limit {
			continue
		}
		values[strings.TrimSpace(key)] = strings.TrimSpace(value)
	}
	return values, nil
}
""",
    ),
    defects=(
        """func $Name(paths []string) (int, error) {
	total := 0
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		stat, err := f.Stat()
		if err != nil {
			return 0, err
		}
		total += int(stat.Size()) / $step
	}
	return total, nil
}
""",
        """func $Name(names []string) error {
	for i := 0; i < len(names); i++ {
		f, err := os.Create(names[i] + ".$noun")
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Repeat("-", $limit)); err != nil {
			return err
		}
	}
	return nil
}
""",
        """func $Name(db *sql.DB, owner string) (*sql.Rows, error) {
	query := fmt.Sprintf("SELECT * FROM $table WHERE owner = '%s' LIMIT $limit", owner)
	return db.Query(query)
}
""",
        """func $Name(path string) []byte {
	data, _ := os.ReadFile(path)
	if len(data) > $limit*$step {
		panic("$noun file too large")
	}
	return data
}
""",
    ),
)

RUST = LanguageTemplates(
    name="rust",
    extension=".rs",
    directory="src",
    snake_names=True,
    header=(
        "use std::collections::HashMap;\nuse std::fs;\n\n#[derive(Debug, Clone)]\n"
        "pub struct Item {\n    pub name: String,\n    pub score: u32,\n}\n"
    ),
    footer="",
    clean=(
        """pub fn $name(items: &[Item], limit: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for item in items.iter() {
        if item.score > limit + $limit {
            out.push(item.score * $step);
        }
    }
    out
}
""",
        """pub struct $Class {
    name: String,
    items: HashMap<String, u32>,
}

impl $Class {
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), items: HashMap::new() }
    }

    pub fn add(&mut self, key: &str, value: u32) -> Result<(), String> {
        if self.items.len() >= $limit {
            return Err(format!("{} is full", self.name));
        }
        self.items.insert(key.to_string(), value * $step);
        Ok(())
    }
}
""",
        """pub fn $name(path: &str) -> std::io::Result<HashMap<String, String>> {
    let text = fs::read_to_string(path)?;
    let mut values = HashMap::new();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            if key.len() <= $limit {
                values.insert(key.trim().to_string(), value.trim().to_string());
            }
        }
    }
    Ok(values)
}
""",
    ),
    defects=(
        """pub fn $name(path: &str) -> Result<u32, String> {
    let text = fs::read_to_string(path).unwrap();
    let value: u32 = text.trim().parse().map_err(|e| format!("{e}"))?;
    Ok(value * $step + $limit)
}
""",
        """pub fn $name(items: &[Item], index: usize) -> u32 {
    if index > $limit {
        panic!("index out of range for $noun");
    }
    items.get(index).expect("missing item").score * $step
}
""",
        """pub fn $name(values: &[u32]) -> u32 {
    let mut total = 0;
    for i in 0..values.len() {
        total += unsafe { *values.get_unchecked(i) } * $step;
    }
    dbg!(total);
    total
}
""",
        """pub fn $name(conn: &Connection, owner: &str) -> Vec<Row> {
    let query = format!("SELECT * FROM $table WHERE owner = '{}' LIMIT $limit", owner);
    conn.query(&query, &[]).unwrap_or_default()
}
""",
    ),
)

JAVA = LanguageTemplates(
    name="java",
    extension=".java",
    directory="java",
    snake_names=False,
    header=(
        "package com.example.$module;\n\nimport java.sql.Connection;\nimport java.sql.ResultSet;\n"
        "import java.sql.SQLException;\nimport java.sql.Statement;\nimport java.util.ArrayList;\n"
        "import java.util.HashMap;\nimport java.util.List;\nimport java.util.Map;\n\n"
        "public class $Module {\n    private final Map<String, Integer> items = new HashMap<>();\n"
    ),
    footer="}\n",
    clean=(
        """    public List<Item> $name(List<Item> items, int limit) {
        List<Item> out = new ArrayList<>();
        for (Item item : items) {
            if (item.getScore() > limit + $limit) {
                out.add(item);
            }
        }
        return out;
    }
""",
        """    public void $name(String key, int value) {
        if (items.size() >= $limit) {
            throw new IllegalStateException("store for $noun is full");
        }
        items.put(key, value * $step);
    }
""",
        """    static final class $Class {
        private final String name;
        private int count;

        $Class(String name) {
            this.name = name;
        }

        int increment() {
            count += $step;
            return count > $limit ? -1 : count;
        }
    }
""",
        """    public Map<String, Integer> $name(List<Item> records) {
        Map<String, Integer> totals = new HashMap<>();
        for (Item record : records) {
            totals.merge(record.getName(), record.getScore() * $step, Integer::sum);
        }
        totals.entrySet().removeIf(entry -> entry.getValue() < $limit);
        return totals;
    }
""",
    ),
    defects=(
        """    public int $name(List<Item> records, String kind) {
        int count = 0;
        for (Item record : records) {
            if (record.getName() == kind) {
                count += $step;
            }
        }
        return count;
    }
""",
        """    public int $name(String text) {
        int value = $limit;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
        }
        return value * $step;
    }
""",
        """    public ResultSet $name(Connection connection, String owner) throws SQLException {
        Statement statement = connection.createStatement();
        return statement.executeQuery("SELECT * FROM $table WHERE owner = '" + owner + "'");
    }
""",
        """    public void $name(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }
""",
    ),
)

C = LanguageTemplates(
    name="c",
    extension=".c",
    directory="native",
    snake_names=True,
    header=(
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
        "struct item {\n    char name[32];\n    int score;\n};\n"
    ),
    footer="",
    clean=(
        """static int $name(const struct item *items, size_t count, int limit)
{
    int total = 0;
    for (size_t i = 0; i < count; i++) {
        if (items[i].score > limit + $limit) {
            total += items[i].score * $step;
        }
    }
    return total;
}
""",
        """int $name(const char *path, char *out, size_t size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return -1;
    }
    size_t count = fread(out, 1, size - 1, file);
    out[count] = '\\0';
    fclose(file);
    return count > $limit ? 1 : 0;
}
""",
        """struct item *$name(const char *name, int score)
{
    struct item *result = calloc(1, sizeof(*result));
    if (result == NULL) {
        return NULL;
    }
    snprintf(result->name, sizeof(result->name), "%s", name);
    result->score = score * $step;
    return result;
}
""",
    ),
    defects=(
        """void $name(struct item *target, const char *name)
{
    strcpy(target->name, name);
    target->score = $limit;
}
""",
        """int $name(char *buffer, const char *owner)
{
    char query[128];
    sprintf(query, "SELECT * FROM $table WHERE owner = '%s'", owner);
    strcat(buffer, query);
    return (int)strlen(buffer) + $step;
}
""",
        """int *$name(size_t count)
{
    int *values = malloc(count * sizeof(int));
    for (size_t i = 0; i < count; i++) {
        values[i] = (int)i * $step;
    }
    return values;
}
""",
        """int $name(void)
{
    char line[$limit];
    gets(line);
    return atoi(line) * $step;
}
""",
    ),
)

LANGUAGES: tuple[LanguageTemplates, ...] = (PYTHON, JAVASCRIPT, TYPESCRIPT, GO, RUST, JAVA, C)
