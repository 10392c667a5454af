// ScheduleSpec: the text grammar of tapegrad/train/schedule.hpp, the range checks and
// the one-line description.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/train/schedule.hpp>

namespace tg::train {

namespace {

// Upper bounds that keep the arithmetic of the rules finite and meaningful.
constexpr std::int64_t kMaxRestarts = 1000;
constexpr double kMaxPeriodMult = 100;

std::string_view unit_name(ScheduleUnit unit) { return unit == ScheduleUnit::batch ? "batch" : "epoch"; }

struct Key {
  std::string_view name;
  std::function<void(ScheduleSpec&, std::string_view part, std::string_view value)> set;
};

struct Part {
  std::string_view name;
  std::vector<Key> keys;
};

double number_value(std::string_view part, std::string_view key, std::string_view value) {
  double out = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  TG_CHECK(error == std::errc() && end == value.data() + value.size() && std::isfinite(out),
           "schedule '{}': {} must be a number, got '{}'", part, key, value);
  return out;
}

std::int64_t integer_value(std::string_view part, std::string_view key, std::string_view value) {
  std::int64_t out = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  TG_CHECK(error == std::errc() && end == value.data() + value.size(), "schedule '{}': {} must be an integer, got '{}'",
           part, key, value);
  return out;
}

Key number_key(std::string_view name, double ScheduleSpec::* field) {
  return {name, [name, field](ScheduleSpec& s, std::string_view part, std::string_view v) {
            s.*field = number_value(part, name, v);
          }};
}
Key integer_key(std::string_view name, std::int64_t ScheduleSpec::* field) {
  return {name, [name, field](ScheduleSpec& s, std::string_view part, std::string_view v) {
            s.*field = integer_value(part, name, v);
          }};
}
Key every_key() {
  return {"every", [](ScheduleSpec& s, std::string_view part, std::string_view v) {
            TG_CHECK(v == "batch" || v == "epoch", "schedule '{}': every must be batch or epoch, got '{}'", part, v);
            s.every = v == "batch" ? ScheduleUnit::batch : ScheduleUnit::epoch;
          }};
}
Key min_lr_key() {
  return {"min_lr", [](ScheduleSpec& s, std::string_view part, std::string_view v) {
            s.min_lr = number_value(part, "min_lr", v);
          }};
}

const std::vector<Part>& parts() {
  static const std::vector<Part> table = {
      {"none", {}},
      {"step", {integer_key("step_size", &ScheduleSpec::step_size), number_key("gamma", &ScheduleSpec::gamma),
                every_key()}},
      {"exponential", {number_key("k", &ScheduleSpec::k), every_key()}},
      {"inverse_time", {number_key("k", &ScheduleSpec::k), every_key()}},
      {"cosine",
       {integer_key("restarts", &ScheduleSpec::restarts), number_key("period_mult", &ScheduleSpec::period_mult),
        {"period",
         [](ScheduleSpec& s, std::string_view part, std::string_view v) { s.period = integer_value(part, "period", v); }},
        min_lr_key(), every_key()}},
      {"plateau",
       {number_key("factor", &ScheduleSpec::factor), integer_key("patience", &ScheduleSpec::patience),
        number_key("threshold", &ScheduleSpec::threshold), integer_key("cooldown", &ScheduleSpec::cooldown),
        min_lr_key(),
        {"metric",
         [](ScheduleSpec& s, std::string_view part, std::string_view v) {
           TG_CHECK(v == "loss" || v == "accuracy", "schedule '{}': metric must be loss or accuracy, got '{}'", part,
                    v);
           s.metric = v == "loss" ? PlateauMetric::loss : PlateauMetric::accuracy;
         }}}},
      {"warmup",
       {integer_key("steps", &ScheduleSpec::warmup_steps), integer_key("epochs", &ScheduleSpec::warmup_epochs)}},
      {"momentum",
       {number_key("start", &ScheduleSpec::momentum_start), number_key("end", &ScheduleSpec::momentum_end),
        integer_key("steps", &ScheduleSpec::momentum_steps), integer_key("epochs", &ScheduleSpec::momentum_epochs),
        {"option", [](ScheduleSpec& s, std::string_view, std::string_view v) { s.momentum_option = std::string(v); }}}},
  };
  return table;
}

std::string joined_names(const auto& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + std::string(item.name);
  return out;
}

const Part& find_part(std::string_view name) {
  for (const Part& part : parts())
    if (part.name == name) return part;
  fail("schedule: unknown schedule '{}'; known: {}", name, joined_names(parts()));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// Reads "key=value,key=value" into spec with part's keys.
void read_parameters(ScheduleSpec& spec, const Part& part, std::string_view parameters) {
  std::vector<std::string_view> seen;
  for (const std::string_view pair : split(parameters, ',')) {
    const std::size_t eq = pair.find('=');
    TG_CHECK(eq != std::string_view::npos && eq > 0, "schedule '{}': '{}' is not key=value (e.g. '{}={}')",
             part.name, pair, part.keys.empty() ? "key" : part.keys.front().name, "...");
    const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    const Key* found = nullptr;
    for (const Key& k : part.keys)
      if (k.name == key) found = &k;
    TG_CHECK(found, "schedule '{}': unknown key '{}'; {} takes: {}", part.name, key, part.name,
             part.keys.empty() ? std::string("no keys") : joined_names(part.keys));
    for (const std::string_view before : seen)
      TG_CHECK(before != key, "schedule '{}': key '{}' is given twice", part.name, key);
    seen.push_back(key);
    TG_CHECK(!value.empty(), "schedule '{}': key '{}' has no value", part.name, key);
    found->set(spec, part.name, value);
  }
}

LrRule rule_of(std::string_view name) {
  for (const LrRule rule : {LrRule::none, LrRule::step, LrRule::exponential, LrRule::inverse_time, LrRule::cosine,
                            LrRule::plateau})
    if (lr_rule_name(rule) == name) return rule;
  fail("schedule: '{}' is not a learning-rate rule", name);
}

std::string number(double value) { return fmt::format("{}", value); }

std::string describe_rule(const ScheduleSpec& s) {
  const std::string per = fmt::format("per {}", unit_name(s.unit()));
  switch (s.rule) {
    case LrRule::none:
      return "constant lr";
    case LrRule::step:
      return fmt::format("step decay {} (lr x {} every {} {}s)", per, s.gamma, s.step_size, unit_name(s.unit()));
    case LrRule::exponential:
      return fmt::format("exponential decay {} (a0 exp(-{} t))", per, s.k);
    case LrRule::inverse_time:
      return fmt::format("inverse-time decay {} (a0 / (1 + {} t))", per, s.k);
    case LrRule::cosine: {
      const std::string floor =
          s.min_lr ? fmt::format("min_lr {}", *s.min_lr) : fmt::format("{} a0", number(kCosineFloorFraction));
      const std::string period = s.period ? fmt::format("period {}", *s.period) : "period: the run";
      return fmt::format("cosine {} to {} ({}, restarts {}, period_mult {})", per, floor, period, s.restarts,
                         s.period_mult);
    }
    case LrRule::plateau:
      return fmt::format("reduce on plateau of the validation {} (factor {}, patience {}, threshold {}, cooldown {}, "
                         "min_lr {})",
                         s.metric == PlateauMetric::loss ? "loss" : "accuracy", s.factor, s.patience, s.threshold,
                         s.cooldown, s.min_lr.value_or(0));
  }
  return {};
}

}  // namespace

std::string_view lr_rule_name(LrRule rule) {
  switch (rule) {
    case LrRule::none: return "none";
    case LrRule::step: return "step";
    case LrRule::exponential: return "exponential";
    case LrRule::inverse_time: return "inverse_time";
    case LrRule::cosine: return "cosine";
    case LrRule::plateau: return "plateau";
  }
  return "?";
}

ScheduleUnit ScheduleSpec::unit() const {
  if (rule == LrRule::plateau) return ScheduleUnit::epoch;
  if (every) return *every;
  return rule == LrRule::cosine ? ScheduleUnit::batch : ScheduleUnit::epoch;
}

ScheduleSpec parse_schedule(std::string_view text) {
  TG_CHECK(!text.empty(), "schedule: empty; expected e.g. 'cosine', 'step:step_size=3,gamma=0.5' or "
                          "'warmup:steps=500+cosine'");
  ScheduleSpec spec;
  spec.rule = LrRule::none;
  std::string_view rule_part, warmup_part, momentum_part;
  for (const std::string_view item : split(text, '+')) {
    TG_CHECK(!item.empty(), "schedule '{}': an empty part between '+'; expected e.g. 'warmup:steps=500+cosine'", text);
    const std::size_t colon = item.find(':');
    const std::string_view name = item.substr(0, colon);
    const Part& part = find_part(name);
    std::string_view& slot = name == "warmup" ? warmup_part : name == "momentum" ? momentum_part : rule_part;
    TG_CHECK(slot != name, "schedule '{}': '{}' is given twice", text, name);
    TG_CHECK(slot.empty(), "schedule '{}': '{}' and '{}' are both learning-rate rules; give one", text, slot, name);
    slot = name;
    if (&slot == &rule_part) spec.rule = rule_of(name);
    if (name == "momentum") spec.momentum = true;
    if (colon != std::string_view::npos) read_parameters(spec, part, item.substr(colon + 1));
  }
  TG_CHECK(!(warmup_part == "warmup" && spec.warmup_steps == 0 && spec.warmup_epochs == 0),
           "schedule 'warmup': give its length, steps=N or epochs=N (N >= 1)");
  validate(spec);
  return spec;
}

void validate(const ScheduleSpec& s) {
  const auto rule = lr_rule_name(s.rule);
  TG_CHECK(s.step_size >= 1, "schedule 'step': step_size must be an integer >= 1, got {}", s.step_size);
  TG_CHECK(s.gamma > 0 && std::isfinite(s.gamma), "schedule 'step': gamma must be a number > 0, got {}", s.gamma);
  TG_CHECK(s.k >= 0 && std::isfinite(s.k), "schedule '{}': k must be a number >= 0, got {}",
           s.rule == LrRule::inverse_time ? "inverse_time" : "exponential", s.k);
  TG_CHECK(s.restarts >= 0 && s.restarts <= kMaxRestarts, "schedule 'cosine': restarts must be an integer in [0, {}], "
           "got {}", kMaxRestarts, s.restarts);
  TG_CHECK(s.period_mult >= 1 && s.period_mult <= kMaxPeriodMult,
           "schedule 'cosine': period_mult must be a number in [1, {}], got {}", kMaxPeriodMult, s.period_mult);
  TG_CHECK(!s.period || *s.period >= 1, "schedule 'cosine': period must be an integer >= 1, got {}",
           s.period.value_or(0));
  TG_CHECK(!s.min_lr || (*s.min_lr >= 0 && std::isfinite(*s.min_lr)),
           "schedule '{}': min_lr must be a number >= 0, got {}", rule, s.min_lr.value_or(0));
  TG_CHECK(s.factor > 0 && s.factor < 1, "schedule 'plateau': factor must be a number in (0, 1), got {}", s.factor);
  TG_CHECK(s.patience >= 0, "schedule 'plateau': patience must be an integer >= 0, got {}", s.patience);
  TG_CHECK(s.threshold >= 0 && std::isfinite(s.threshold),
           "schedule 'plateau': threshold must be a number >= 0, got {}", s.threshold);
  TG_CHECK(s.cooldown >= 0, "schedule 'plateau': cooldown must be an integer >= 0, got {}", s.cooldown);
  TG_CHECK(!s.every || (s.rule != LrRule::plateau && s.rule != LrRule::none),
           "schedule '{}': every applies to step, exponential, inverse_time and cosine; {} has no t to count", rule,
           rule);
  TG_CHECK(s.warmup_steps >= 0, "schedule 'warmup': steps must be an integer >= 0, got {}", s.warmup_steps);
  TG_CHECK(s.warmup_epochs >= 0, "schedule 'warmup': epochs must be an integer >= 0, got {}", s.warmup_epochs);
  TG_CHECK(s.warmup_steps == 0 || s.warmup_epochs == 0,
           "schedule 'warmup': give steps={} or epochs={}, not both", s.warmup_steps, s.warmup_epochs);
  TG_CHECK(std::isfinite(s.momentum_start) && std::isfinite(s.momentum_end),
           "schedule 'momentum': start and end must be finite numbers, got {} and {}", s.momentum_start,
           s.momentum_end);
  TG_CHECK(s.momentum_steps >= 0, "schedule 'momentum': steps must be an integer >= 0, got {}", s.momentum_steps);
  TG_CHECK(s.momentum_epochs >= 0, "schedule 'momentum': epochs must be an integer >= 0, got {}", s.momentum_epochs);
  TG_CHECK(s.momentum_steps == 0 || s.momentum_epochs == 0,
           "schedule 'momentum': give steps={} or epochs={}, not both", s.momentum_steps, s.momentum_epochs);
  TG_CHECK(!s.momentum_option.empty(), "schedule 'momentum': option must name an optimizer option, e.g. beta1");
}

std::string describe(const ScheduleSpec& s) {
  std::string out;
  if (s.warmup_steps > 0) out = fmt::format("linear warm-up {} steps, then ", s.warmup_steps);
  if (s.warmup_epochs > 0) out = fmt::format("linear warm-up {} epochs, then ", s.warmup_epochs);
  out += describe_rule(s);
  if (s.momentum) {
    const std::string over = s.momentum_steps > 0    ? fmt::format("{} steps", s.momentum_steps)
                             : s.momentum_epochs > 0 ? fmt::format("{} epochs", s.momentum_epochs)
                                                     : std::string("the run");
    out += fmt::format("; {} {} -> {} over {}", s.momentum_option, s.momentum_start, s.momentum_end, over);
  }
  return out;
}

}  // namespace tg::train
