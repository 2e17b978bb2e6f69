# The task board lives in reports/views.py (task_board, URL name "task_list").
