def run_app(lessons_dir, home):
    print("TUI not yet")
    return 0
