// A faulty plug-in for the tests: a module that loads but registers no optimizer (say,
// a library given to --plugin by mistake).
namespace tapegrad_test {

int no_optimizer_plugin_marker = 1;

}  // namespace tapegrad_test
